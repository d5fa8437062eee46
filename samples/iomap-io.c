/* placeholder: the shell is being written */
int main(void) { return 1; }
