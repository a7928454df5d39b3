package main

import (
	"crypto/tls"
	"errors"
	"fmt"

	"github.com/ratecheck/ratecheck/attack"
)

// transportSecurity builds the run's TLS configuration from --ca-file and
// --insecure, and the notes that name them in every report. Both apply to an
// https:// target only.
func transportSecurity(o *runOptions, t *target) (*tls.Config, []string, error) {
	if o.CAFile == "" && !o.Insecure {
		return nil, nil, nil
	}
	if t.url.Scheme != "https" {
		return nil, nil, &usageError{err: errors.New("--ca-file and --insecure apply to an https:// target only")}
	}
	cfg, err := attack.TLSConfig(o.CAFile, o.Insecure)
	if err != nil {
		return nil, nil, &usageError{err: err}
	}
	if o.Insecure {
		return cfg, []string{"warning: TLS certificate verification disabled (--insecure): the target's identity was not checked"}, nil
	}
	return cfg, []string{fmt.Sprintf("TLS: the CA certificates in %s are trusted besides the system's (--ca-file)", o.CAFile)}, nil
}
