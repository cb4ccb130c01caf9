build-werror/tests/unit/test_log.o: tests/unit/test_log.c \
 src/common/log.h
src/common/log.h:
