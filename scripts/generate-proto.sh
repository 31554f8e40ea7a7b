#!/usr/bin/env bash
# Regenerates Sources/HashDBService/Generated from proto/hashdb/v1/hashdb.proto.
# The generated code is committed, so a build never needs protoc. Generated with:
#   protoc 3.21.12 (Debian: apt-get install protobuf-compiler)
#   protoc-gen-swift from apple/swift-protobuf 1.39.0  (swift build --product protoc-gen-swift)
#   protoc-gen-grpc-swift-2 from grpc/grpc-swift-protobuf 2.4.1  (swift build --product protoc-gen-grpc-swift-2)
# Point PROTOC_GEN_SWIFT and PROTOC_GEN_GRPC_SWIFT at the built plugins.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${PROTOC_GEN_SWIFT:?path to protoc-gen-swift}"
: "${PROTOC_GEN_GRPC_SWIFT:?path to protoc-gen-grpc-swift-2}"
out=Sources/HashDBService/Generated
mkdir -p "$out"
protoc --proto_path=proto \
    --plugin=protoc-gen-swift="$PROTOC_GEN_SWIFT" --swift_out="$out" --swift_opt=Visibility=Public \
    --plugin=protoc-gen-grpc-swift="$PROTOC_GEN_GRPC_SWIFT" --grpc-swift_out="$out" \
    --grpc-swift_opt=Visibility=Public,Server=true,Client=true \
    hashdb/v1/hashdb.proto
echo "generated into $out with $(protoc --version)"
