//go:build tools

// Package tools pins the kustomize command (sigs.k8s.io/kustomize/kustomize/v5, the same program
// `kubectl apply -k` embeds) so the manifest tests build it from the Go module proxy:
// go build -o kustomize sigs.k8s.io/kustomize/kustomize/v5
package tools

import _ "sigs.k8s.io/kustomize/kustomize/v5"
