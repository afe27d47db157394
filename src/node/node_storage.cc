// Node::StartStorage: the two storage engines behind one RoutedEngine, and how they share
// memory (node.h). Split from node.cc, which wires everything else.
#include <algorithm>

#include "io/rate_tuner.h"
#include "node/data_dir.h"
#include "node/node.h"
#include "node/state_machine.h"
#include "obs/log.h"
#include "obs/metrics.h"
#include "storage/btree/btree_engine.h"
#include "storage/lsm/engine_impl.h"  // the complete LsmEngine type, to own it as an Engine
#include "storage/routed_engine.h"

namespace strata::node {

namespace {

// L0 files from which the rate tuner treats compaction as behind: half of the LSM's
// l0_slowdown_trigger (20), so it catches up well before writes are delayed.
constexpr double kL0FilesBehind = 10;

// The LSM's backlog for the rate tuner (io::WritePressure), from its properties. Flushes
// and compactions run on separate threads, so each class answers for its own backlog.
io::WritePressure EngineWritePressure(const storage::Engine& engine) {
  io::WritePressure p;
  for (const storage::EngineProperty& prop : engine.Properties()) {
    if (prop.name == "immutable_memtables") p.flush_behind = prop.value >= 1;
    if (prop.name == "level_files{level=\"0\"}") p.compaction_behind = prop.value >= kL0FilesBehind;
  }
  return p;
}

}  // namespace

StorageMemory SplitStorageMemory(const NodeConfig& config) {
  // Half of memory_limit_mb for the engines (config.h): three quarters of it to the default
  // engine, a quarter to the other.
  uint64_t storage = (config.memory_limit_mb << 20) / 2;
  uint64_t minor = storage / 4, major = storage - minor;
  return config.default_btree ? StorageMemory{minor, major} : StorageMemory{major, minor};
}

// Both engines behind one RoutedEngine (storage/routed_engine.h): B+tree tables' keys go to
// <data_dir>/btree, everything else to <data_dir>/lsm. A data directory from before the
// B+tree gets an empty btree/ at its first start.
Status Node::StartStorage() {
  storage::lsm::LsmOptions options;
  options.dir = data_dir_->path() + "/lsm";
  options.scheduler = io_.get();
  options.registry = &obs::Registry::Default();
  options.use_direct_io = config_.storage_direct_io;
  StorageMemory memory = SplitStorageMemory(config_);
  options.memory_budget = memory.lsm_bytes;
  options.memtable_bytes = std::clamp<uint64_t>((config_.memory_limit_mb << 20) / 16, 4 << 20, 64 << 20);
  Result<std::unique_ptr<storage::lsm::LsmEngine>> lsm = storage::lsm::OpenLsmEngine(options);
  if (!lsm.ok()) return std::move(lsm).take_status().Annotate("opening the LSM engine");
  lsm_ = lsm->get();
  storage::btree::BtreeOptions btree_options;
  btree_options.dir = data_dir_->path() + "/btree";
  btree_options.scheduler = io_.get();
  btree_options.registry = &obs::Registry::Default();
  btree_options.use_direct_io = config_.storage_direct_io;
  btree_options.memory_budget = memory.btree_bytes;
  Result<std::unique_ptr<storage::Engine>> btree = storage::btree::OpenBtreeEngine(btree_options);
  if (!btree.ok()) return std::move(btree).take_status().Annotate("opening the B+tree engine");
  uint64_t lsm_index = (*lsm)->PersistedAppliedIndex(), btree_index = (*btree)->PersistedAppliedIndex();
  std::unique_ptr<storage::RoutedEngine> routed = storage::NewRoutedEngine(std::move(*lsm), std::move(*btree));
  routed_ = routed.get();
  engine_ = std::move(routed);
  rate_controller_->SetWritePressure([engine = lsm_] { return EngineWritePressure(*engine); });
  state_machine_ = std::make_unique<TxnStateMachine>(engine_.get(), io_.get());
  obs::Info("node", "storage engines open",
            {{"lsm_dir", options.dir}, {"lsm_persisted_applied_index", lsm_index},
             {"btree_dir", btree_options.dir}, {"btree_persisted_applied_index", btree_index},
             {"default_engine", config_.default_btree ? "btree" : "lsm"}});
  return Status::OK();
}

}  // namespace strata::node
