package backend

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"time"
)

// ServerOptions say where and how a backend listens.
type ServerOptions struct {
	// Addr is host:port; default "127.0.0.1:0" (a free port).
	Addr string
	// InsecureHTTP serves plain HTTP instead of TLS, for development
	// only; it is refused unless Addr is a loopback address.
	InsecureHTTP bool
}

// Server is a backend listening on a port.
type Server struct {
	srv   *http.Server
	url   string
	caPEM []byte
	pool  *x509.CertPool

	done     chan error // Serve's result
	waitOnce sync.Once
	serveErr error
}

// Start listens on opts.Addr and serves the backend's Handler in the
// background: HTTPS with a fresh self-signed certificate for loopback
// (TLS 1.2 or newer, HTTP/1.1), or plain HTTP on loopback when asked.
func (b *Backend) Start(opts ServerOptions) (*Server, error) {
	if opts.Addr == "" {
		opts.Addr = "127.0.0.1:0"
	}
	host, _, err := net.SplitHostPort(opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("backend: listen address: %w", err)
	}
	if opts.InsecureHTTP && !loopbackHost(host) {
		return nil, errors.New("backend: plain HTTP is allowed on a loopback address only (127.0.0.1, ::1, localhost)")
	}
	s := &Server{done: make(chan error, 1)}
	s.srv = &http.Server{
		Handler:           b.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          log.New(slogWriter{b.log}, "", 0),
		// An empty map turns HTTP/2 off: the dropped-connection fault
		// hijacks an HTTP/1.1 connection, and clients see one protocol.
		TLSNextProto: map[string]func(*http.Server, *tls.Conn, http.Handler){},
	}
	scheme := "http"
	if !opts.InsecureHTTP {
		cert, caPEM, err := loopbackCert()
		if err != nil {
			return nil, err
		}
		s.caPEM = caPEM
		s.pool = x509.NewCertPool()
		s.pool.AddCert(cert.Leaf)
		s.srv.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert},
			NextProtos: []string{"http/1.1"}}
		scheme = "https"
	}
	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("backend: listen: %w", err)
	}
	addr := ln.Addr().(*net.TCPAddr)
	if opts.InsecureHTTP && !addr.IP.IsLoopback() {
		ln.Close()
		return nil, errors.New("backend: plain HTTP is allowed on a loopback address only")
	}
	urlHost := host
	if ip := net.ParseIP(host); ip != nil || host == "" {
		urlHost = addr.IP.String()
		if addr.IP.IsUnspecified() {
			urlHost = "127.0.0.1"
		}
	}
	s.url = fmt.Sprintf("%s://%s", scheme, net.JoinHostPort(urlHost, fmt.Sprint(addr.Port)))
	if s.srv.TLSConfig != nil {
		ln = tls.NewListener(ln, s.srv.TLSConfig)
	}
	go func() { s.done <- s.srv.Serve(ln) }()
	return s, nil
}

func loopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// URL is the base URL to give the app, e.g. https://127.0.0.1:8443.
func (s *Server) URL() string { return s.url }

// CAPEM is the certificate to trust, PEM-encoded (nil for plain HTTP).
func (s *Server) CAPEM() []byte { return s.caPEM }

// CertPool trusts exactly this server's certificate (nil for plain HTTP).
func (s *Server) CertPool() *x509.CertPool { return s.pool }

// WriteCA writes the PEM certificate to path (owner-readable), for clients
// that take a CA file.
func (s *Server) WriteCA(path string) error {
	if s.caPEM == nil {
		return errors.New("backend: plain HTTP has no certificate to write")
	}
	if err := os.WriteFile(path, s.caPEM, 0o644); err != nil {
		return fmt.Errorf("backend: write CA: %w", err)
	}
	return nil
}

// Client is an HTTP client that trusts this server (and nothing else),
// with TLS 1.2 as the minimum.
func (s *Server) Client() *http.Client {
	tr := &http.Transport{
		Proxy:               nil,
		TLSClientConfig:     &tls.Config{RootCAs: s.pool, MinVersion: tls.VersionTLS12},
		MaxIdleConnsPerHost: 4,
		IdleConnTimeout:     30 * time.Second,
	}
	return &http.Client{Transport: tr, Timeout: 30 * time.Second}
}

// Shutdown stops accepting connections and waits for requests in flight
// (until ctx ends).
func (s *Server) Shutdown(ctx context.Context) error {
	err := s.srv.Shutdown(ctx)
	if serveErr := s.wait(); err == nil {
		err = serveErr
	}
	return err
}

// wait returns how Serve ended (nil once it was stopped on purpose).
func (s *Server) wait() error {
	s.waitOnce.Do(func() {
		if err := <-s.done; !errors.Is(err, http.ErrServerClosed) {
			s.serveErr = err
		}
	})
	return s.serveErr
}

// Close stops the server at once.
func (s *Server) Close() error {
	err := s.srv.Close()
	s.wait()
	return err
}

// slogWriter sends net/http's own complaints (TLS handshake errors, ...)
// to the backend's log at debug level.
type slogWriter struct{ l *slog.Logger }

func (w slogWriter) Write(p []byte) (int, error) {
	w.l.Debug(string(p))
	return len(p), nil
}
