// Datasets (docs/formats.md 14.5): the recipe, the CSV and its Frictionless
// Data Package descriptor made from disclosure's checked rows, and the
// directory written once a legal member approved exactly those two files.
#pragma once

#include <custody/disclosure/dataset.hpp>
#include <custody/export/approval.hpp>
#include <custody/vault/vault.hpp>

#include <filesystem>
#include <optional>
#include <string>

namespace custody::bundle {

struct DatasetRecipe
{
  std::string organisation;
  std::string title;
  std::string license; // an SPDX identifier, or empty
  stats::MicroSpec spec;
  disclosure::DatasetRules rules;
  // The `narrative` field, when asked for: what a row without a released
  // narrative becomes, and the column's place (before spec.fields[i], or
  // last when i is their count).
  std::optional<disclosure::NarrativeMissing> narrative;
  std::size_t narrative_column = 0;
};

// Errc::invalid_input naming the line: an unknown key or field, an
// identifier or free text other than the narrative asked for, the narrative
// listed as sensitive (it is never in the classes), a sensitive field not
// published, violence_type published but not sensitive, k below 5, l below
// 2, a risk ceiling above 3 %.
[[nodiscard]] Result<DatasetRecipe>
parse_dataset_recipe(std::string_view yaml_text);

struct DatasetFiles
{
  std::string csv;         // data.csv
  std::string datapackage; // datapackage.json
};

// The two files, deterministic: the same rows and recipe give the same bytes
// (so that what a legal member approved is what is written).
DatasetFiles
dataset_files(const disclosure::Released<disclosure::Dataset>& dataset,
              const DatasetRecipe& recipe,
              const records::Places* places);

// The proposal's content: both files, each under a heading line.
std::string proposal_content(const DatasetFiles& files);

// The compartment a dataset's proposal is kept in: facts for figures alone;
// aggressor when it carries narratives, released redacted text that only
// legal and advocacy members read (docs/formats.md 6.6, 6.7.1).
vault::Compartment
proposal_compartment(const disclosure::Released<disclosure::Dataset>& dataset);

struct DatasetWritten
{
  std::uint64_t release_seq = 0;
  std::uint64_t export_seq = 0;
  Approved approved;
};

// Writes the directory `out` (data.csv, datapackage.json) once an approved
// proposal of exactly these files stands (Errc::unsafe otherwise); its
// `release` entry (for later audits) and `export` entry are appended before
// the directory takes its name.
[[nodiscard]] Result<DatasetWritten>
write_dataset(vault::Vault& vault,
              const disclosure::Released<disclosure::Dataset>& dataset,
              const DatasetFiles& files,
              const std::string& recipe_name,
              const std::string& recipe_sha256,
              const std::filesystem::path& out);

} // namespace custody::bundle
