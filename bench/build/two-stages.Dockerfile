# Two independent 2 s stages and a final stage that takes a file from each (bench/build.ts).
FROM busybox AS one
RUN sleep 2 && echo one > /one
FROM busybox AS two
RUN sleep 2 && echo two > /two
FROM busybox
COPY --from=one /one /one
COPY --from=two /two /two
