# jurisdex as a container: the site is built once, in the image, and every container serves that
# one build read-only (`serve --prebuilt`). See docs/DEPLOY.md.
#
#   docker build --build-arg BASE_URL=https://jurisdex.example.org -t jurisdex .
#   docker run --read-only -p 8080:8080 jurisdex

FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
ARG BASE_URL=http://127.0.0.1:8080
RUN cargo build --locked --profile dist \
 && ./target/dist/jurisdex build --base-url "$BASE_URL" --out /site

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /nonexistent --shell /usr/sbin/nologin jurisdex
COPY --from=build /src/target/dist/jurisdex /usr/local/bin/jurisdex
COPY --from=build /src/templates /app/templates
COPY --from=build /src/content /app/content
COPY --from=build /site /app/public
USER jurisdex
WORKDIR /app
ARG BASE_URL=http://127.0.0.1:8080
ENV BASE_URL=$BASE_URL
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s CMD curl -fsS http://127.0.0.1:8080/healthz || exit 1
# SIGTERM (docker stop) stops accepting and lets requests in flight finish.
STOPSIGNAL SIGTERM
CMD ["sh", "-c", "exec jurisdex serve --prebuilt --addr 0.0.0.0:8080 --base-url \"$BASE_URL\""]
