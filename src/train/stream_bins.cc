#include "train/stream_bins.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <unordered_map>
#include <unordered_set>

#include "core/nearest_name.h"
#include "core/parallel.h"
#include "data/csv_pieces.h"
#include "data/type_inference.h"
#include "train/value_counts.h"

namespace keel {
namespace {

// The categories of one column across pieces, in order of first appearance (the order of a
// dictionary ReadTable makes), matched by name, ignoring ASCII case when the reader does.
class CategoryDictionary {
 public:
  explicit CategoryDictionary(bool fold) : fold_(fold) {}
  // The id of each entry of a piece's dictionary, adding the new ones.
  std::vector<int32_t> Map(const std::vector<std::string>& piece_dictionary) {
    std::vector<int32_t> ids(piece_dictionary.size());
    for (size_t i = 0; i < ids.size(); ++i) {
      std::string key = piece_dictionary[i];
      if (fold_) {
        for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      }
      auto [it, added] = index_.try_emplace(std::move(key), static_cast<int32_t>(names_.size()));
      if (added) names_.push_back(piece_dictionary[i]);
      ids[i] = it->second;
    }
    return ids;
  }
  const std::vector<std::string>& names() const { return names_; }

 private:
  bool fold_;
  std::vector<std::string> names_;
  std::unordered_map<std::string, int32_t> index_;
};

// One column of every row, appended piece by piece (the target, weight and split columns).
class ColumnRows {
 public:
  ColumnRows(std::string name, ColumnKind kind, bool fold)
      : name_(std::move(name)), kind_(kind), dict_(fold) {}

  const std::string& name() const { return name_; }

  Status Append(const Column& c) {
    if (c.kind() != kind_) {
      return Status::Internal("column '{}' is {} in one piece and {} in another", name_,
                              ColumnKindName(kind_), ColumnKindName(c.kind()));
    }
    switch (kind_) {
      case ColumnKind::kNumeric:
        numbers_.insert(numbers_.end(), c.numeric().begin(), c.numeric().end());
        break;
      case ColumnKind::kBoolean:
        bools_.insert(bools_.end(), c.booleans().begin(), c.booleans().end());
        break;
      case ColumnKind::kTimestamp:
        times_.insert(times_.end(), c.timestamps().begin(), c.timestamps().end());
        break;
      case ColumnKind::kCategorical: {
        const std::vector<int32_t> ids = dict_.Map(c.dictionary());
        for (int32_t code : c.codes()) {
          codes_.push_back(code < 0 ? -1 : ids[static_cast<size_t>(code)]);
        }
        break;
      }
      case ColumnKind::kString:
        for (size_t r = 0; r < c.size(); ++r) {
          missing_.push_back(c.IsMissing(r) ? 1 : 0);
          strings_.push_back(c.IsMissing(r) ? std::string() : c.strings()[r]);
        }
        break;
    }
    return Status::OK();
  }

  Column Build() {
    switch (kind_) {
      case ColumnKind::kNumeric:
        return Column::Numeric(name_, std::move(numbers_));
      case ColumnKind::kBoolean:
        return Column::Boolean(name_, std::move(bools_));
      case ColumnKind::kTimestamp:
        return Column::Timestamp(name_, std::move(times_));
      case ColumnKind::kCategorical:
        return Column::Categorical(name_, std::move(codes_), dict_.names());
      case ColumnKind::kString:
        return Column::String(name_, std::move(strings_), std::move(missing_));
    }
    return Column::Numeric(name_, {});
  }

 private:
  std::string name_;
  ColumnKind kind_;
  std::vector<double> numbers_;
  std::vector<int8_t> bools_;
  std::vector<int64_t> times_;
  std::vector<int32_t> codes_;
  CategoryDictionary dict_;
  std::vector<std::string> strings_;
  std::vector<uint8_t> missing_;
};

// The distinct values (case-folded when categories are matched so) and non-missing count of a
// text column over every piece: one read infers string or categorical from them
// (type_inference.h rule 5), so the later passes read it as one read would.
struct TextKind {
  std::string name;
  ColumnKind first_kind;  // the first piece's
  std::unordered_set<std::string> distinct;
  uint64_t non_missing = 0;

  TextKind(std::string n, ColumnKind k) : name(std::move(n)), first_kind(k) {}
  void Insert(std::string text, bool fold) {
    if (distinct.size() > kMaxCategories) return;  // a string column whatever follows
    if (fold) {
      for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    distinct.insert(std::move(text));
  }
  void Add(const Column& c, bool fold) {
    if (c.kind() == ColumnKind::kCategorical) {
      for (const std::string& d : c.dictionary()) Insert(d, fold);
      for (int32_t code : c.codes()) non_missing += code >= 0;
    } else if (c.kind() == ColumnKind::kString) {
      for (size_t r = 0; r < c.size(); ++r) {
        if (c.IsMissing(r)) continue;
        ++non_missing;
        Insert(c.strings()[r], fold);
      }
    }
  }
};

// A candidate feature: a column FeatureExclusionReason lets through, and what pass 2 gathers.
struct FeatureColumn {
  std::string name;
  bool categorical = false;
  ColumnKind source_kind = ColumnKind::kNumeric;
  ValueCounts values;
  CategoryDictionary dict;
  std::vector<uint64_t> category_rows;  // training rows per dictionary id
  uint64_t missing = 0;                 // categorical: training rows without a value
  std::vector<int32_t> model_code;      // dictionary id -> model code (-1: not in training)
  int feature = -1;                     // index among the model's features, -1 = excluded
  explicit FeatureColumn(bool fold) : dict(fold) {}
};

// Which split each row is in (0 none, 1 train, 2 valid, 3 test) and its index there.
struct RowPlace {
  std::vector<uint8_t> split;
  std::vector<uint32_t> index;
};

RowPlace PlaceRows(const SplitRows& s, size_t rows) {
  RowPlace p;
  p.split.assign(rows, 0);
  p.index.assign(rows, 0);
  const std::vector<uint32_t>* parts[] = {&s.train, &s.valid, &s.test};
  for (uint8_t k = 0; k < 3; ++k) {
    for (size_t i = 0; i < parts[k]->size(); ++i) {
      p.split[(*parts[k])[i]] = static_cast<uint8_t>(k + 1);
      p.index[(*parts[k])[i]] = static_cast<uint32_t>(i);
    }
  }
  return p;
}

float FeatureValue(const Column& c, size_t r) {
  return c.kind() == ColumnKind::kNumeric ? static_cast<float>(c.numeric()[r])
                                          : static_cast<float>(c.AsDouble(r));
}

// A numeric cell's bits for the leakage hash: values equal as doubles hash alike (-0 as 0, every
// NaN as one).
uint64_t ValueBits(double v) {
  if (std::isnan(v)) return 0x7ff8000000000001ULL;
  if (v == 0.0) v = 0.0;
  uint64_t b;
  std::memcpy(&b, &v, sizeof b);
  return b;
}

uint64_t Mix(uint64_t x) {  // splitmix64's finalizer
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

Status CheckPiece(const CsvPiece& p, size_t rows) {
  if (p.first_row + p.data.table.num_rows() > rows) {
    return Status::IoError("{} changed while it was read for training", p.data.report.source);
  }
  return Status::OK();
}

}  // namespace

Result<StreamedTrainingData> StreamTrainingData(const std::string& path, const ReadOptions& read,
                                                const TrainOptions& options, size_t piece_bytes,
                                                const Context& ctx, TrainReport* rep) {
  const TrainParams& p = options.params;
  if (p.algo != "gbdt" || options.collective != nullptr) {
    return Status::Unsupported("training straight from the file supports algo gbdt in one process");
  }
  KEEL_RETURN_IF_ERROR(ValidateParams(p));
  const int threads = ctx.threads();
  StreamedTrainingData out;
  std::vector<ColumnRows> kept;  // target, weight, split column
  std::vector<FeatureColumn> feats;
  std::vector<std::pair<std::string, std::string>> reasons;  // every column, why no feature
  std::vector<uint64_t> lines;
  std::vector<TextKind> texts;  // text columns whose kind the whole file decides
  Table header;                 // the columns without rows, for messages
  FeatureOptions fopt;
  fopt.target = options.target;
  fopt.exclude = options.exclude;
  fopt.include_sensitive = options.include_sensitive;

  // Pass 1: the target, weight and split columns; the candidate features.
  auto pass1 = ReadCsvPieces(path, read, piece_bytes, ctx, [&](CsvPiece& piece) -> Status {
    const Table& t = piece.data.table;
    if (piece.index == 0) {
      out.schema = piece.data.schema;
      header = t.Take(std::span<const uint32_t>{});
      if (t.Find(options.target) == nullptr) {
        TargetOptions topt;
        topt.column = options.target;
        return ReadTarget(header, out.schema, topt).status();
      }
      std::vector<std::string> names = {options.target};
      std::string weight = options.weight_column;
      if (weight.empty()) {
        weight = out.schema.FirstWithRole(Role::kWeight);
        if (t.Find(weight) == nullptr) weight.clear();
      }
      fopt.weight_column = weight;
      names.push_back(weight);
      if (auto spec = ParseSplitSpec(p.split); spec.ok()) names.push_back(spec->column);
      for (const std::string& n : names) {
        const Column* c = t.Find(n);
        const bool have = std::any_of(kept.begin(), kept.end(),
                                      [&](const ColumnRows& k) { return k.name() == n; });
        if (c != nullptr && !have) kept.emplace_back(n, c->kind(), read.normalize_case);
      }
      for (const Column& c : t.columns()) {
        const bool fixed = read.kind_overrides.contains(c.name()) ||
                           (read.schema != nullptr && read.schema->Find(c.name()) != nullptr);
        if (!fixed && (c.kind() == ColumnKind::kString || c.kind() == ColumnKind::kCategorical)) {
          texts.emplace_back(c.name(), c.kind());
        }
      }
    }
    for (TextKind& k : texts) k.Add(*t.Find(k.name), read.normalize_case);
    for (ColumnRows& k : kept) {
      const Column* c = t.Find(k.name());
      if (c == nullptr) return Status::Internal("a piece of {} lacks column '{}'", path, k.name());
      KEEL_RETURN_IF_ERROR(k.Append(*c));
    }
    lines.insert(lines.end(), t.source_lines().begin(), t.source_lines().end());
    return Status::OK();
  });
  if (!pass1.ok()) return pass1.status();
  out.ingest = std::move(pass1->report);
  // The later passes read text columns with the kind their values in the whole file give.
  ReadOptions reread = read;
  for (const TextKind& k : texts) {
    const ColumnKind kind = InferTextKind(k.distinct.size(), k.non_missing);
    if (kind != k.first_kind) reread.kind_overrides[k.name] = kind;
  }
  for (const std::string& name : options.exclude) {
    if (header.Find(name) == nullptr) {
      return Status::NotFound("--exclude names column '{}', which the data does not have{}", name,
                              DidYouMean(name, header.columns(), &Column::name));
    }
  }
  for (ColumnRows& k : kept) KEEL_RETURN_IF_ERROR(out.rows.AddColumn(k.Build()));
  kept.clear();
  const size_t n = lines.size();
  if (out.rows.num_columns() == 0) {
    return Status::InvalidArgument("{} has no column '{}'", path, options.target);
  }
  out.rows.set_source_lines(std::move(lines));

  KEEL_ASSIGN_OR_RETURN(out.data, PrepareTargetAndSplit(out.rows, out.schema, options, rep));
  const RowPlace place = PlaceRows(out.data.split, n);

  // Pass 2: the candidate features; per candidate, its values (or categories) in the training
  // rows.
  auto pass2 = ReadCsvPieces(path, reread, piece_bytes, ctx, [&](CsvPiece& piece) -> Status {
    KEEL_RETURN_IF_ERROR(CheckPiece(piece, n));
    const Table& t = piece.data.table;
    const size_t base = piece.first_row;
    if (piece.index == 0) {
      for (const Column& c : t.columns()) {
        reasons.emplace_back(c.name(), FeatureExclusionReason(c, piece.data.schema, fopt));
        if (!reasons.back().second.empty()) continue;
        feats.emplace_back(read.normalize_case);
        feats.back().name = c.name();
        feats.back().categorical = c.kind() == ColumnKind::kCategorical;
        feats.back().source_kind = c.kind();
      }
    }
    return ParallelFor(threads, feats.size(), [&](size_t k) {
      FeatureColumn& f = feats[k];
      const Column& c = *t.Find(f.name);
      if (f.categorical) {
        const std::vector<int32_t> ids = f.dict.Map(c.dictionary());
        f.category_rows.resize(f.dict.names().size(), 0);
        const auto codes = c.codes();
        for (size_t r = 0; r < t.num_rows(); ++r) {
          if (place.split[base + r] != 1) continue;
          if (codes[r] < 0) {
            ++f.missing;
          } else {
            ++f.category_rows[static_cast<size_t>(ids[static_cast<size_t>(codes[r])])];
          }
        }
      } else {
        for (size_t r = 0; r < t.num_rows(); ++r) {
          if (place.split[base + r] == 1) f.values.Add(FeatureValue(c, r));
        }
      }
    });
  });
  if (!pass2.ok()) return pass2.status();
  out.schema = std::move(pass2->schema);

  // The features (in column order, as BuildFeatures lists them) and their bin mappers.
  FeatureSet& fs = out.data.features;
  std::vector<size_t> feature_columns;  // index in feats of each model feature
  size_t next = 0;
  for (const auto& [name, reason] : reasons) {
    if (!reason.empty()) {
      if (reason != "target") fs.excluded.push_back({name, reason});
      continue;
    }
    FeatureColumn& f = feats[next++];
    FeatureSpec spec;
    spec.name = f.name;
    spec.source_kind = f.source_kind;
    BinMapper mapper;
    uint64_t values = 0;
    uint64_t missing = 0;
    if (f.categorical) {
      spec.kind = FeatureSpec::Kind::kCategorical;
      std::vector<uint64_t> rows_of_code;
      f.model_code.assign(f.dict.names().size(), -1);
      for (size_t id = 0; id < f.category_rows.size(); ++id) {
        if (f.category_rows[id] == 0) continue;
        f.model_code[id] = static_cast<int32_t>(spec.categories.size());
        spec.categories.push_back(f.dict.names()[id]);
        rows_of_code.push_back(f.category_rows[id]);
      }
      values = rows_of_code.size();
      missing = f.missing;
      mapper = BinMapper::FitCategoricalCounts(rows_of_code, missing, p.max_cat_bins);
    } else {
      spec.kind = FeatureSpec::Kind::kNumeric;
      std::vector<float> distinct;
      std::vector<uint64_t> counts;
      missing = f.values.missing();
      f.values.Finish(&distinct, &counts);
      values = distinct.size();
      if (!f.values.exact()) out.summarized.push_back(f.name);
      mapper = BinMapper::FitNumericCounts(distinct, counts, missing, p.max_bins);
    }
    if (values == 0) {
      fs.excluded.push_back({name, "all values missing in the training rows"});
      continue;
    }
    if (values == 1 && missing == 0) {
      fs.excluded.push_back({name, "constant in the training rows"});
      continue;
    }
    f.feature = static_cast<int>(fs.specs.size());
    fs.specs.push_back(std::move(spec));
    out.bins.mappers.push_back(std::move(mapper));
    feature_columns.push_back(next - 1);
  }
  if (fs.specs.empty()) {
    std::string list;
    for (const auto& e : fs.excluded) list += (list.empty() ? "" : "; ") + e.name + ": " + e.reason;
    return Status::InvalidArgument("no usable feature columns besides target '{}' ({})",
                                   options.target,
                                   list.empty() ? "the data has no other column" : list);
  }
  rep->excluded = fs.excluded;

  // Pass 3: the rows of each split, binned.
  const size_t cols = fs.specs.size();
  BinnedMatrix* matrices[] = {&out.bins.train, &out.bins.valid, &out.bins.test};
  const std::vector<uint32_t>* parts[] = {&out.data.split.train, &out.data.split.valid,
                                          &out.data.split.test};
  std::vector<uint64_t> hashes[3];  // per split row: its feature values' hash (leakage)
  for (int k = 0; k < 3; ++k) {
    hashes[k].assign(parts[k]->size(), 0);
    matrices[k]->rows = parts[k]->size();
    matrices[k]->cols = cols;
    matrices[k]->bins.assign(parts[k]->size() * cols, 0);
  }
  const size_t every =
      std::max<size_t>(1, (out.data.split.train.size() + kProfileRows - 1) / kProfileRows);
  std::vector<ColumnRows> profile;
  auto pass3 = ReadCsvPieces(path, reread, piece_bytes, ctx, [&](CsvPiece& piece) -> Status {
    KEEL_RETURN_IF_ERROR(CheckPiece(piece, n));
    const Table& t = piece.data.table;
    const size_t base = piece.first_row;
    // The profile's sample.
    if (piece.index == 0) {
      for (const Column& c : t.columns())
        profile.emplace_back(c.name(), c.kind(), read.normalize_case);
    }
    std::vector<uint32_t> sample;
    for (size_t r = 0; r < t.num_rows(); ++r) {
      if (place.split[base + r] == 1 && place.index[base + r] % every == 0) {
        sample.push_back(static_cast<uint32_t>(r));
        out.profile_train_index.push_back(place.index[base + r]);
      }
    }
    const Table part = t.Take(sample);
    for (size_t j = 0; j < profile.size(); ++j) {
      KEEL_RETURN_IF_ERROR(profile[j].Append(part.column(j)));
    }
    std::vector<const Column*> columns(cols);
    std::vector<std::vector<int32_t>> model_code(cols);  // piece code -> model code
    std::vector<std::vector<int32_t>> dict_id(cols);     // piece code -> dictionary id
    for (size_t j = 0; j < cols; ++j) {
      FeatureColumn& f = feats[feature_columns[j]];
      columns[j] = t.Find(f.name);
      if (!f.categorical) continue;
      const std::vector<int32_t> ids = f.dict.Map(columns[j]->dictionary());
      dict_id[j] = ids;
      model_code[j].resize(ids.size());
      for (size_t i = 0; i < ids.size(); ++i) {
        const auto id = static_cast<size_t>(ids[i]);
        model_code[j][i] = id < f.model_code.size() ? f.model_code[id] : -1;
      }
    }
    constexpr size_t kBlock = 4096;
    const size_t blocks = (t.num_rows() + kBlock - 1) / kBlock;
    return ParallelFor(threads, blocks, [&](size_t b) {
      const size_t end = std::min(t.num_rows(), (b + 1) * kBlock);
      for (size_t r = b * kBlock; r < end; ++r) {
        const uint8_t s = place.split[base + r];
        if (s == 0) continue;
        uint8_t* row = matrices[s - 1]->bins.data() + size_t{place.index[base + r]} * cols;
        uint64_t h = 0x9e3779b97f4a7c15ULL;
        for (size_t j = 0; j < cols; ++j) {
          const BinMapper& m = out.bins.mappers[j];
          uint64_t cell;
          if (m.categorical()) {
            const int32_t code = columns[j]->codes()[r];
            row[j] = m.BinOfCode(code < 0 ? -1 : model_code[j][static_cast<size_t>(code)]);
            cell = code < 0 ? ~uint64_t{0}
                            : static_cast<uint64_t>(dict_id[j][static_cast<size_t>(code)]);
          } else {
            const double v = columns[j]->kind() == ColumnKind::kNumeric ? columns[j]->numeric()[r]
                                                                        : columns[j]->AsDouble(r);
            row[j] = m.BinOfValue(static_cast<float>(v));
            cell = ValueBits(v);
          }
          h ^= Mix(cell) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
        }
        hashes[s - 1][place.index[base + r]] = h;
      }
    });
  });
  if (!pass3.ok()) return pass3.status();
  for (ColumnRows& c : profile) KEEL_RETURN_IF_ERROR(out.profile_rows.AddColumn(c.Build()));
  rep->leakage = FindLeakageByHash(out.data.split, hashes[0], hashes[1], hashes[2], out.rows);
  AddLeakageWarning(rep->leakage, &rep->warnings);
  // Nothing after this needs the rows' source lines (8 bytes a row).
  out.rows.set_source_lines({});
  KEEL_RETURN_IF_ERROR(ApplyTrainingClassWeights(options, n, &out.data));
  return out;
}

}  // namespace keel
