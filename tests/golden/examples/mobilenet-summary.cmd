summary examples/mobilenet.net
