{
  "targets": [
    {
      "target_name": "tend_native",
      "sources": ["native/tend_native.c"],
      "cflags": ["-O2", "-Wall"]
    }
  ]
}
