build-werror/tests/unit/test_efd.o: tests/unit/test_efd.c \
 src/common/log.h src/vhost/efd.h
src/common/log.h:
src/vhost/efd.h:
