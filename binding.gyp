{
  "targets": [
    {
      "target_name": "tend_native",
      "sources": ["native/tend_native.c", "native/errors.c"],
      "conditions": [["OS=='linux'", { "sources": ["native/fd_watch.c", "native/notify_socket.c", "native/pipe_drain.c", "native/pid_watch.c", "native/spawn.c", "native/child_exit.c", "native/reaper.c", "native/listen_socket.c"] }]],
      "cflags": ["-O2", "-Wall"]
    }
  ]
}
