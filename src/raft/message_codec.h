// Wire encoding of raft::Message (format documented in docs/raft.md).
//
//   record := version:u8  cluster_id:fixed64  body  checksum:fixed64
//
// checksum is Checksum64 (XXH3) of everything before it. The transport adds its own
// length prefix and frames records; this codec knows nothing about sockets.
#pragma once

#include <cstdint>

#include "common/slice.h"
#include "common/status.h"
#include "raft/types.h"

namespace strata::raft {

constexpr uint8_t kMessageFormatVersion = 1;
// Largest record accepted: room for one entry of the log's largest size
// (kMaxEntryDataBytes, 1 GiB - 1 MiB: a transaction up to max_txn_bytes) with its
// headers. Snapshots are streamed in chunks, never sent as one message. A receiver's
// buffer grows with the bytes that really arrive, not with the length a frame claims.
constexpr size_t kMaxMessageBytes = 1u << 30;

Bytes EncodeMessage(const Message& m, uint64_t cluster_id);

// Decodes one record. Corruption for damaged or malformed input, InvalidArgument for a
// record of another cluster or an unknown version, ResourceExhausted past
// kMaxMessageBytes. Never reads outside `data`, whatever its content.
Result<Message> DecodeMessage(Slice data, uint64_t expected_cluster_id);

}  // namespace strata::raft
