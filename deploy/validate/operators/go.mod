// The MongoDB Community Operator, pinned at the release deploy/k8s/operators/mongodb-community.yaml is
// written for: tests/deploy/test_manifests.py downloads it (go mod download, verified against go.sum)
// for its CustomResourceDefinition, config/crd/bases/mongodbcommunity.mongodb.com_mongodbcommunity.yaml.
module liandong/deploy/validate/operators

go 1.22

require github.com/mongodb/mongodb-kubernetes-operator v0.13.0
