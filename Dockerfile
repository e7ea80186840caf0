# Multi-stage build: the console (Vite) → the Go binary with the console
# embedded → a small runtime image.
FROM node:20-bookworm-slim AS ui
WORKDIR /src
COPY frontend/package.json frontend/package-lock.json frontend/
RUN cd frontend && npm ci --no-audit --no-fund
COPY backend/api backend/api
COPY frontend frontend
RUN cd frontend && npm run build

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY backend backend
COPY migrations migrations
COPY seeds seeds
COPY --from=ui /src/backend/internal/platform/web/dist backend/internal/platform/web/dist
RUN CGO_ENABLED=0 go build -tags ui -trimpath -ldflags="-s -w" -o /countersign ./backend/cmd/countersign

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /countersign /countersign
EXPOSE 8080
ENTRYPOINT ["/countersign"]
CMD ["serve"]
