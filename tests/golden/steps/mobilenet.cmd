build examples/mobilenet.net --emit=steps
