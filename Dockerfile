# The ratecheck image: one static binary on distroless, running as non-root.
# It is what 'ratecheck k8s --image' expects:
#   docker build -t registry.example.com/ratecheck:v1 .
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/ratecheck ./cmd/ratecheck

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/ratecheck /usr/local/bin/ratecheck
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/ratecheck"]
