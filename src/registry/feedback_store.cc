#include "registry/feedback_store.h"

#include <array>
#include <unordered_set>

#include "registry/prediction_log_store.h"

namespace keel::registry {
namespace {

// Serialises feedback writers on PostgreSQL ("keelfdbk").
constexpr int64_t kFeedbackLockKey = 0x6b65656c6664626b;

}  // namespace

Result<FeedbackCounts> StoreLabels(SqlDatabase& db, std::string_view model,
                                   std::span<const FedBackLabel> labels, int64_t now_us,
                                   int64_t late_after_us) {
  FeedbackCounts c;
  c.received = labels.size();
  WriteTransaction tx(&db);
  KEEL_RETURN_IF_ERROR(tx.Begin(kFeedbackLockKey));
  KEEL_ASSIGN_OR_RETURN(
      std::unique_ptr<SqlStatement> insert,
      db.Prepare("INSERT INTO labels (model, record_id, label, time_us) VALUES ($1, $2, $3, $4) "
                 "ON CONFLICT (model, record_id) DO NOTHING"));
  std::unordered_set<std::string_view> seen;
  for (const FedBackLabel& l : labels) {
    if (!seen.insert(l.record_id).second) {
      ++c.duplicates;
      continue;
    }
    const std::array<SqlValue, 4> values = {model, std::string_view(l.record_id),
                                            std::string_view(l.label), now_us};
    KEEL_ASSIGN_OR_RETURN(const uint64_t added, insert->Run(values));
    if (added == 0) {
      ++c.duplicates;
      continue;
    }
    ++c.stored;
    KEEL_ASSIGN_OR_RETURN(
        SqlResult first,
        db.Exec("SELECT MIN(time_us) FROM predictions WHERE model = $1 AND record_id = $2",
                {model, std::string_view(l.record_id)}));
    if (first.rows.empty() || !first.rows[0][0].has_value()) {
      ++c.unknown;
    } else if (now_us - first.Int(0, 0) > late_after_us) {
      ++c.late;
    }
  }
  KEEL_RETURN_IF_ERROR(tx.Commit());
  return c;
}

}  // namespace keel::registry
