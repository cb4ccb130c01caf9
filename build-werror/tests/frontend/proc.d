build-werror/tests/frontend/proc.o: tests/frontend/proc.c \
 tests/frontend/proc.h
tests/frontend/proc.h:
