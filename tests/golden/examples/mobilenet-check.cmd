check examples/mobilenet.net
