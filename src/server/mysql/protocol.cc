#include "server/mysql/protocol.h"

#include <cstring>

namespace strata::server::mysql {

std::string_view CommandName(uint8_t command) {
  switch (static_cast<Command>(command)) {
    case Command::kQuit: return "quit";
    case Command::kInitDb: return "init_db";
    case Command::kQuery: return "query";
    case Command::kFieldList: return "field_list";
    case Command::kStatistics: return "statistics";
    case Command::kProcessKill: return "process_kill";
    case Command::kDebug: return "debug";
    case Command::kPing: return "ping";
    case Command::kChangeUser: return "change_user";
    case Command::kStmtPrepare: return "stmt_prepare";
    case Command::kStmtExecute: return "stmt_execute";
    case Command::kStmtSendLongData: return "stmt_send_long_data";
    case Command::kStmtClose: return "stmt_close";
    case Command::kStmtReset: return "stmt_reset";
    case Command::kStmtFetch: return "stmt_fetch";
    case Command::kSetOption: return "set_option";
    case Command::kResetConnection: return "reset_connection";
    default: return "unknown";
  }
}

bool PacketReader::Need(size_t n) {
  if (!ok_ || data_.size() - pos_ < n) {
    ok_ = false;
    return false;
  }
  return true;
}

bool PacketReader::ReadU8(uint8_t* v) {
  if (!Need(1)) return false;
  *v = static_cast<uint8_t>(data_[pos_++]);
  return true;
}

static uint64_t LoadLe(const char* p, int n) {
  uint64_t v = 0;
  for (int i = n - 1; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

bool PacketReader::ReadU16(uint16_t* v) {
  if (!Need(2)) return false;
  *v = static_cast<uint16_t>(LoadLe(data_.data() + pos_, 2));
  pos_ += 2;
  return true;
}

bool PacketReader::ReadU24(uint32_t* v) {
  if (!Need(3)) return false;
  *v = static_cast<uint32_t>(LoadLe(data_.data() + pos_, 3));
  pos_ += 3;
  return true;
}

bool PacketReader::ReadU32(uint32_t* v) {
  if (!Need(4)) return false;
  *v = static_cast<uint32_t>(LoadLe(data_.data() + pos_, 4));
  pos_ += 4;
  return true;
}

bool PacketReader::ReadU64(uint64_t* v) {
  if (!Need(8)) return false;
  *v = LoadLe(data_.data() + pos_, 8);
  pos_ += 8;
  return true;
}

bool PacketReader::ReadLenencInt(uint64_t* v) {
  uint8_t first;
  if (!ReadU8(&first)) return false;
  if (first < 0xfb) {
    *v = first;
    return true;
  }
  int width = first == 0xfc ? 2 : first == 0xfd ? 3 : first == 0xfe ? 8 : 0;
  if (width == 0 || !Need(width)) {  // 0xfb NULL, 0xff ERR: not an integer
    ok_ = false;
    return false;
  }
  *v = LoadLe(data_.data() + pos_, width);
  pos_ += width;
  return true;
}

bool PacketReader::ReadBytes(size_t n, std::string_view* v) {
  if (!Need(n)) return false;
  *v = data_.substr(pos_, n);
  pos_ += n;
  return true;
}

bool PacketReader::ReadLenencString(std::string_view* v) {
  uint64_t n;
  if (!ReadLenencInt(&n)) return false;
  if (n > remaining()) {  // a huge bogus length must not wrap size_t arithmetic
    ok_ = false;
    return false;
  }
  return ReadBytes(static_cast<size_t>(n), v);
}

bool PacketReader::ReadNulString(std::string_view* v) {
  if (!ok_) return false;
  size_t end = data_.find('\0', pos_);
  if (end == std::string_view::npos) {
    ok_ = false;
    return false;
  }
  *v = data_.substr(pos_, end - pos_);
  pos_ = end + 1;
  return true;
}

std::string_view PacketReader::ReadRest() {
  if (!ok_) return {};
  std::string_view rest = data_.substr(pos_);
  pos_ = data_.size();
  return rest;
}

bool PacketReader::Skip(size_t n) {
  if (!Need(n)) return false;
  pos_ += n;
  return true;
}

std::optional<uint8_t> PacketReader::PeekU8() const {
  if (!ok_ || pos_ >= data_.size()) return std::nullopt;
  return static_cast<uint8_t>(data_[pos_]);
}

static void StoreLe(std::string* out, uint64_t v, int n) {
  for (int i = 0; i < n; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

PacketWriter& PacketWriter::U8(uint8_t v) { out_->push_back(static_cast<char>(v)); return *this; }
PacketWriter& PacketWriter::U16(uint16_t v) { StoreLe(out_, v, 2); return *this; }
PacketWriter& PacketWriter::U24(uint32_t v) { StoreLe(out_, v, 3); return *this; }
PacketWriter& PacketWriter::U32(uint32_t v) { StoreLe(out_, v, 4); return *this; }
PacketWriter& PacketWriter::U64(uint64_t v) { StoreLe(out_, v, 8); return *this; }

PacketWriter& PacketWriter::LenencInt(uint64_t v) {
  if (v < 0xfb) {
    U8(static_cast<uint8_t>(v));
  } else if (v < (1u << 16)) {
    U8(0xfc);
    StoreLe(out_, v, 2);
  } else if (v < (1u << 24)) {
    U8(0xfd);
    StoreLe(out_, v, 3);
  } else {
    U8(0xfe);
    StoreLe(out_, v, 8);
  }
  return *this;
}

PacketWriter& PacketWriter::LenencString(std::string_view s) {
  LenencInt(s.size());
  out_->append(s);
  return *this;
}

PacketWriter& PacketWriter::NulString(std::string_view s) {
  out_->append(s);
  out_->push_back('\0');
  return *this;
}

PacketWriter& PacketWriter::Bytes(std::string_view s) { out_->append(s); return *this; }
PacketWriter& PacketWriter::Zeros(size_t n) { out_->append(n, '\0'); return *this; }

size_t LenencIntSize(uint64_t v) {
  return v < 0xfb ? 1 : v < (1u << 16) ? 3 : v < (1u << 24) ? 4 : 9;
}

}  // namespace strata::server::mysql
