build-werror/tests/unit/test_efd_fallback.o: \
 tests/unit/test_efd_fallback.c src/common/log.h src/vhost/efd.h
src/common/log.h:
src/vhost/efd.h:
