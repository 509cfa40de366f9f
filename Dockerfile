# The smartlic container image: `docker build -t smartlic .` (docs/install.md).
#
# Stage 1 builds the release binary with the versions pinned in Cargo.lock. The C parts
# of the dependencies (SQLite, the TLS and SSH cryptography) need only the C compiler
# that the rust slim image already has.
FROM rust:1-slim-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked

# Stage 2 is the runtime: the binary, CA certificates, and the OpenSSH client (for
# ssh-keyscan and ssh when you check a device by hand). smartlic runs as a non-root user.
FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates openssh-client \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 10001 --shell /usr/sbin/nologin smartlic
COPY --from=build /src/target/release/smartlic /usr/local/bin/smartlic
USER smartlic
# Mount the inventory here; the run store is written to .smartlic/ under this folder.
WORKDIR /work
ENTRYPOINT ["smartlic"]
