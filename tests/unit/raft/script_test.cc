// Golden-script tests for the core (STYLE: etcd raft's testdata, toyDB's goldenscript).
// Each file in testdata/ is a sequence of commands ("> cmd args") each followed by the
// output it must produce. STRATA_REWRITE_GOLDEN=1 rewrites the files from the actual
// output, for review in the diff.
//
// Commands: cluster <voters> [learners] [lease] | campaign <id> | propose <id> <data> |
// conf <id> add-learner|add-voter|remove <node> | read <id> <ctx> | transfer <id> <to> |
// tick <id> <n> | tickall <n> | isolate <id> | heal | restart <id> | status | log <id>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "test_cluster.h"

namespace strata::raft {
namespace {

namespace fs = std::filesystem;

class ScriptRunner {
 public:
  std::string Run(const std::string& line) {
    std::istringstream in(line);
    std::string cmd;
    in >> cmd;
    std::ostringstream out;
    if (cmd == "cluster") {
      int voters = 0, learners = 0;
      std::string opt;
      in >> voters >> learners >> opt;
      CoreConfig cfg;
      cfg.lease_reads = lease_ = opt == "lease";
      cluster_ = std::make_unique<testing::TestCluster>(voters, cfg, learners);
      return "";
    }
    testing::TestCluster& c = *cluster_;
    NodeId id = 0;
    if (cmd == "campaign") {
      in >> id;
      c.Elect(id);
    } else if (cmd == "propose") {
      std::string data;
      in >> id >> data;
      Result<LogIndex> r = c.core(id).Propose(data);
      c.Stabilize();
      out << (r.ok() ? "index " + std::to_string(*r) : r.status().ToString()) << "\n";
    } else if (cmd == "conf") {
      std::string what;
      NodeId node = 0;
      in >> id >> what >> node;
      ConfChangeType type = what == "add-learner" ? ConfChangeType::kAddLearner
                            : what == "add-voter" ? ConfChangeType::kAddVoter
                                                  : ConfChangeType::kRemoveNode;
      if (type != ConfChangeType::kRemoveNode && !c.has(node)) c.AddNode(node, ConfState{});
      Result<LogIndex> r = c.core(id).ProposeConfChange({type, node});
      c.Stabilize();
      out << (r.ok() ? "index " + std::to_string(*r) : r.status().ToString()) << "\n";
    } else if (cmd == "read") {
      std::string ctx;
      in >> id >> ctx;
      Status s = c.core(id).ReadIndex(ctx, lease_);
      c.Stabilize();
      if (!s.ok()) out << s.ToString() << "\n";
      for (const ReadState& r : c.node(id).reads) out << "read " << r.context << " at index " << r.index << "\n";
      c.node(id).reads.clear();
    } else if (cmd == "transfer") {
      NodeId to = 0;
      in >> id >> to;
      Status s = c.core(id).TransferLeader(to);
      c.Stabilize();
      if (!s.ok()) out << s.ToString() << "\n";
    } else if (cmd == "tick") {
      int n = 0;
      in >> id >> n;
      c.Tick(id, n);
    } else if (cmd == "tickall") {
      int n = 0;
      in >> n;
      c.TickAll(n);
    } else if (cmd == "isolate") {
      in >> id;
      c.Isolate(id);
    } else if (cmd == "heal") {
      c.Heal();
    } else if (cmd == "restart") {
      in >> id;
      c.Restart(id);
      c.Stabilize();
    } else if (cmd == "status") {
      for (NodeId n : c.ids()) {
        const Core& core = c.core(n);
        out << n << ": " << RoleName(core.role()) << " term " << core.term() << " leader " << core.leader()
            << " last " << core.log().LastIndex() << " commit " << core.log().committed() << " voters";
        for (NodeId v : core.conf().voters) out << " " << v;
        if (!core.conf().learners.empty()) out << " learners";
        for (NodeId l : core.conf().learners) out << " " << l;
        out << "\n";
      }
    } else if (cmd == "log") {
      in >> id;
      for (const Entry& e : c.node(id).applied) {
        out << e.index << "@" << e.term << " "
            << (e.type == EntryType::kNoop ? "noop" : e.type == EntryType::kConfChange ? "conf" : e.data) << "\n";
      }
    } else {
      out << "unknown command " << cmd << "\n";
    }
    return out.str();
  }

 private:
  std::unique_ptr<testing::TestCluster> cluster_;
  bool lease_ = false;  // the cluster was made with "lease": reads ask for the lease
};

// Runs one script; returns the text it should contain (commands + actual output).
std::string RunScript(const std::string& text) {
  std::istringstream in(text);
  std::string line;
  std::string actual;
  ScriptRunner runner;
  while (std::getline(in, line)) {
    if (line.rfind("> ", 0) == 0) {
      actual += line + "\n";
      actual += runner.Run(line.substr(2));
    } else if (line.empty() || line[0] == '#') {
      actual += line + "\n";  // comments and blank lines are kept; outputs are regenerated
    }
  }
  return actual;
}

TEST(RaftScriptTest, GoldenScripts) {
  // Set by tests/unit/CMakeLists.txt: __FILE__ is relative under ccache's base_dir.
  fs::path dir = STRATA_RAFT_TESTDATA_DIR;
  int files = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() != ".txt") continue;
    ++files;
    std::ifstream f(entry.path());
    std::stringstream buf;
    buf << f.rdbuf();
    std::string expected = buf.str();
    std::string actual = RunScript(expected);
    if (std::getenv("STRATA_REWRITE_GOLDEN")) {
      std::ofstream(entry.path()) << actual;
      continue;
    }
    EXPECT_EQ(actual, expected) << "in " << entry.path() << " (STRATA_REWRITE_GOLDEN=1 rewrites it)";
  }
  EXPECT_GT(files, 0);
}

}  // namespace
}  // namespace strata::raft
