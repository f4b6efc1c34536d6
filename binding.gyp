{
  "targets": [
    {
      "target_name": "tend_native",
      "sources": ["native/tend_native.c"],
      "conditions": [["OS=='linux'", { "sources": ["native/fd_watch.c", "native/notify_socket.c", "native/pipe_drain.c", "native/pid_watch.c"] }]],
      "cflags": ["-O2", "-Wall"]
    }
  ]
}
