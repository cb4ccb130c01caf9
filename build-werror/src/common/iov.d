build-werror/src/common/iov.o: src/common/iov.c src/common/iov.h
src/common/iov.h:
