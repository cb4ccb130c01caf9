build-werror/src/devices/gpio_sim.o: src/devices/gpio_sim.c \
 src/devices/gpio.h src/vhost/loop.h src/vhost/vq.h src/vhost/mem.h \
 src/vhost/proto.h src/vhost/virtio.h
src/devices/gpio.h:
src/vhost/loop.h:
src/vhost/vq.h:
src/vhost/mem.h:
src/vhost/proto.h:
src/vhost/virtio.h:
