// Common table expressions (executors.h). A WITH's names live in a chain of frames, the
// innermost WITH first, for as long as the query that owns the WITH is being planned (its
// subqueries included). Each reference to a CTE plans the CTE's query again, as a derived
// table; a view's query starts a fresh chain.
//
// WITH RECURSIVE: a CTE whose query reads its own name is split into its anchor (the query
// blocks before the first that reads the name) and its recursive part (the rest, joined to
// the anchor by UNION [ALL]); while the recursive part is planned, the name reads the work
// table that LogicalRecursiveCte fills each round.
#include "common/ascii.h"
#include "sql/session/executors.h"

namespace strata::sql {

struct CteFrame {
  const std::vector<ast::CommonTableExpr>* ctes = nullptr;
  size_t visible = 0;  // ctes[0, visible) may be named
  bool recursive = false;
  const CteFrame* parent = nullptr;
  // Set while the recursive part of `working` is planned: its name reads `work`.
  const ast::CommonTableExpr* working = nullptr;
  std::shared_ptr<WorkTable> work;
  std::vector<std::string> names;
  std::vector<OutType> types;
};

namespace {

// The innermost frame of the query being planned on this thread (planning is synchronous).
thread_local const CteFrame* current = nullptr;

class Enter {
 public:
  explicit Enter(const CteFrame* frame) : saved_(current) { current = frame; }
  ~Enter() { current = saved_; }
  Enter(const Enter&) = delete;
  Enter& operator=(const Enter&) = delete;

 private:
  const CteFrame* saved_;
};

// Whether `select` reads a table called `name` in its FROM (joins and derived tables
// included; with_operands: its set operands' too).
bool Reads(const ast::Select& select, const std::string& name, bool with_operands) {
  for (const ast::TableRef& ref : select.from) {
    if (ref.derived && Reads(*ref.derived, name, true)) return true;
    if (!ref.derived && ref.table.schema.empty() && EqualsIgnoreCase(ref.table.name, name)) return true;
  }
  if (with_operands)
    for (const ast::SetOperand& operand : select.set_operands)
      if (Reads(*operand.select, name, true)) return true;
  return false;
}

Result<std::vector<std::string>> ColumnNames(const ast::CommonTableExpr& cte, const PlannedQuery& q) {
  if (cte.columns.empty()) return q.names;
  if (cte.columns.size() != q.visible) return ErrViewColumnCount();
  return cte.columns;
}

Result<FromTable> PlanRecursive(Session& session, const CteFrame& definition, const ast::CommonTableExpr& cte,
                                const std::string& alias, std::vector<std::shared_ptr<const TableSchema>>* tables) {
  const ast::Select& q = *cte.query;
  if (!q.set_order_by.empty()) return ErrNotSupportedYet("ORDER BY in a recursive common table expression");
  // Query blocks: the SELECT itself, then its set operands; the anchor comes first.
  size_t first_recursive = 0;
  if (Reads(q, cte.name, false)) return ErrCteRecursiveForm(cte.name);
  for (size_t i = 0; i < q.set_operands.size(); i++) {
    bool reads = Reads(*q.set_operands[i].select, cte.name, true);
    if (reads && first_recursive == 0) first_recursive = i + 1;
    if (!reads && first_recursive != 0) return ErrCteRecursiveForm(cte.name);
  }
  const ast::SetOperand& joint = q.set_operands[first_recursive - 1];
  if (joint.op != ast::SetOp::kUnion) return ErrCteRecursiveForm(cte.name);

  PlannedQuery anchor;
  {
    Enter enter(&definition);
    STRATA_ASSIGN_OR_RETURN(anchor, PlanSelectTerm(session, q, nullptr, nullptr));
    for (size_t i = 0; i + 1 < first_recursive; i++) {
      const ast::SetOperand& operand = q.set_operands[i];
      STRATA_ASSIGN_OR_RETURN(PlannedQuery next, PlanQuery(session, *operand.select, nullptr, nullptr));
      STRATA_RETURN_IF_ERROR(CombineSetOperand(&anchor, std::move(next), operand.op, operand.all));
    }
  }
  TrimToVisible(&anchor);
  STRATA_ASSIGN_OR_RETURN(std::vector<std::string> names, ColumnNames(cte, anchor));
  for (OutType& t : anchor.types) {
    t.table = nullptr;
    t.column = -1;
  }
  CteFrame working{nullptr, 0, false, &definition, &cte, std::make_shared<WorkTable>(), names, anchor.types};
  PlannedQuery recursive;
  {
    Enter enter(&working);
    STRATA_ASSIGN_OR_RETURN(recursive, PlanQuery(session, *joint.select, nullptr, nullptr));
    for (size_t i = first_recursive; i < q.set_operands.size(); i++) {
      const ast::SetOperand& operand = q.set_operands[i];
      STRATA_ASSIGN_OR_RETURN(PlannedQuery next, PlanQuery(session, *operand.select, nullptr, nullptr));
      STRATA_RETURN_IF_ERROR(CombineSetOperand(&recursive, std::move(next), operand.op, operand.all));
    }
  }
  TrimToVisible(&recursive);
  if (recursive.visible != anchor.visible) return ErrSetOperandColumns();
  std::optional<Value> depth = session.SystemVariable("cte_max_recursion_depth", false);
  uint64_t max_depth = depth && !depth->is_null() ? static_cast<uint64_t>(std::max(0.0, depth->ToDouble())) : 1000;
  auto node = std::make_unique<LogicalRecursiveCte>(cte.name, working.work, !joint.all, max_depth);
  node->children.push_back(std::move(anchor.plan));
  node->children.push_back(std::move(recursive.plan));
  LogicalRecursiveCte* recursion = node.get();
  PlannedQuery whole;
  whole.plan = std::move(node);
  whole.visible = anchor.visible;
  whole.names = names;
  whole.types = anchor.types;
  whole.tables = std::move(anchor.tables);
  for (auto& t : recursive.tables) whole.tables.push_back(std::move(t));
  if (q.set_limit || q.set_offset) {  // LIMIT of a recursive CTE: its first rows, then no more rounds
    uint64_t limit = UINT64_MAX, offset = 0;
    if (q.set_limit) {
      STRATA_ASSIGN_OR_RETURN(limit, BindLimit(*q.set_limit, session));
    }
    if (q.set_offset) {
      STRATA_ASSIGN_OR_RETURN(offset, BindLimit(*q.set_offset, session));
    }
    recursion->row_limit = limit > UINT64_MAX - offset ? UINT64_MAX : offset + limit;  // stop there
    whole.plan = Stack(std::make_unique<LogicalLimit>(offset, limit), std::move(whole.plan));
  }
  return AsFromItem(std::move(whole), names, alias, tables);
}

// ctes[index] of `frame`, planned as a FROM item.
Result<FromTable> PlanCte(Session& session, const CteFrame& frame, size_t index, const std::string& alias,
                          std::vector<std::shared_ptr<const TableSchema>>* tables) {
  const ast::CommonTableExpr& cte = (*frame.ctes)[index];
  // Its query sees the CTEs before it in the same WITH, and the enclosing WITHs'.
  CteFrame definition;
  definition.ctes = frame.ctes;
  definition.visible = index;
  definition.recursive = frame.recursive;
  definition.parent = frame.parent;
  if (frame.recursive && Reads(*cte.query, cte.name, true))
    return PlanRecursive(session, definition, cte, alias, tables);
  Enter enter(&definition);
  STRATA_ASSIGN_OR_RETURN(PlannedQuery inner, PlanQuery(session, *cte.query, nullptr, nullptr));
  STRATA_ASSIGN_OR_RETURN(std::vector<std::string> names, ColumnNames(cte, inner));
  return AsFromItem(std::move(inner), names, alias, tables);
}

}  // namespace

CteScope::CteScope(const ast::Select& stmt) : CteScope(stmt.with, stmt.with_recursive) {}

CteScope::CteScope(const std::vector<ast::CommonTableExpr>& with, bool recursive) : saved_(current) {
  if (with.empty()) return;
  frame_ = std::make_unique<CteFrame>();
  frame_->ctes = &with;
  frame_->visible = with.size();
  frame_->recursive = recursive;
  frame_->parent = current;
  current = frame_.get();
}

CteScope::~CteScope() { current = saved_; }

CteBarrier::CteBarrier() : saved_(current) { current = nullptr; }
CteBarrier::~CteBarrier() { current = saved_; }

bool CteInScope(std::string_view name) {
  for (const CteFrame* frame = current; frame; frame = frame->parent) {
    for (size_t i = 0; i < frame->visible; i++)
      if (EqualsIgnoreCase((*frame->ctes)[i].name, name)) return true;
  }
  return false;
}

Result<std::optional<FromTable>> ResolveCte(Session& session, const std::string& name, const std::string& alias,
                                            std::vector<std::shared_ptr<const TableSchema>>* tables) {
  for (const CteFrame* frame = current; frame; frame = frame->parent) {
    if (frame->working && EqualsIgnoreCase(frame->working->name, name)) {
      PlannedQuery rows;
      rows.plan = std::make_unique<LogicalWorkTable>(frame->work, frame->names.size(), frame->working->name);
      rows.visible = frame->names.size();
      rows.names = frame->names;
      rows.types = frame->types;
      STRATA_ASSIGN_OR_RETURN(FromTable item, AsFromItem(std::move(rows), frame->names, alias, tables));
      return std::optional<FromTable>(std::move(item));
    }
    for (size_t i = frame->visible; i-- > 0;) {
      if (!EqualsIgnoreCase((*frame->ctes)[i].name, name)) continue;
      STRATA_ASSIGN_OR_RETURN(FromTable item, PlanCte(session, *frame, i, alias, tables));
      return std::optional<FromTable>(std::move(item));
    }
  }
  return std::optional<FromTable>();
}

}  // namespace strata::sql
