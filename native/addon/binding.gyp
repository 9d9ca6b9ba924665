{
  "targets": [
    {
      "target_name": "berth",
      "sources": ["berth.c"],
      "cflags": ["-Wall", "-Wextra", "-O2"],
      "defines": ["NAPI_VERSION=9"]
    }
  ]
}
