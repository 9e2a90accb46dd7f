// A small schema set in the conventions of schemas/incident.schema.json
// (relative vocab refs, $defs, x-compartment, x-terms), for the schema and
// form tests.
#pragma once

#include <custody/schema/schema.hpp>

#include <doctest/doctest.h>

#include <string>

namespace custody::test {

inline const schema::SchemaSet::Files&
form_schema_files()
{
  static const schema::SchemaSet::Files files = {
    {"form.schema.json", R"({
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$id": "https://custody.invalid/schemas/form.schema.json",
  "title": "A test form",
  "type": "object",
  "additionalProperties": false,
  "required": ["form_version", "incident", "person", "narrative"],
  "properties": {
    "form_version": {"const": 1, "x-compartment": "facts"},
    "incident": {
      "type": "object",
      "additionalProperties": false,
      "x-compartment": "identity",
      "required": ["date", "date_approximate", "district", "violence_types"],
      "properties": {
        "date": {"type": "string", "format": "date"},
        "date_approximate": {"type": "boolean"},
        "time": {"type": "string", "pattern": "^[0-2][0-9]:[0-5][0-9]$"},
        "district": {
          "type": "string",
          "pattern": "^[a-z_]+$",
          "maxLength": 32,
          "x-compartment": "facts"
        },
        "violence_types": {
          "type": "array",
          "minItems": 1,
          "maxItems": 3,
          "items": {"$ref": "vocab/violence_type.json"},
          "x-compartment": "facts"
        },
        "witnesses": {"type": "integer"},
        "event_ref": {"type": ["string", "null"], "maxLength": 64}
      }
    },
    "person": {"$ref": "#/$defs/person"},
    "narrative": {
      "type": "object",
      "x-compartment": "narrative",
      "additionalProperties": false,
      "required": ["text"],
      "properties": {
        "text": {"type": "string"},
        "language": {"$ref": "vocab/common.json#/$defs/language"}
      }
    },
    "aggressor": {
      "type": "object",
      "x-compartment": "aggressor",
      "additionalProperties": false,
      "properties": {
        "description": {"type": "string"},
        "vehicle": {
          "type": "object",
          "additionalProperties": false,
          "properties": {
            "plate": {"type": "string"},
            "colour": {"type": "string"}
          }
        }
      }
    }
  },
  "$defs": {
    "person": {
      "type": "object",
      "additionalProperties": false,
      "x-compartment": "identity",
      "required": ["person_ref", "population"],
      "properties": {
        "person_ref": {
          "type": "string",
          "pattern": "^P-[0-9]{4}$",
          "x-compartment": "facts"
        },
        "population": {"$ref": "vocab/population.json", "x-compartment": "facts"},
        "names": {"type": "array", "items": {"type": "string", "maxLength": 256}}
      }
    }
  }
})"},
    {"vocab/violence_type.json", R"({
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$id": "https://custody.invalid/schemas/vocab/violence_type.json",
  "title": "Violence types",
  "type": "string",
  "enum": [
    "violence.physical.beating", "violence.physical.burning",
    "violence.physical.cutting", "violence.physical.restraint",
    "violence.sexual.rape", "violence.sexual.gang_rape",
    "violence.sexual.harassment", "violence.economic.extortion",
    "violence.economic.theft", "violence.verbal.threat",
    "violence.verbal.insult", "violence.detention.arbitrary"
  ],
  "x-terms": {
    "violence.physical.beating": {
      "label": "Beating",
      "definition": "Blows with hands, feet or objects.",
      "source": "test",
      "huridocs": "none"
    }
  }
})"},
    {"vocab/population.json", R"({
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "title": "Population",
  "type": "string",
  "enum": ["female", "male", "transgender", "non_binary", "not_stated"]
})"},
    {"vocab/common.json", R"({
  "$defs": {
    "language": {"$ref": "../lang.json", "description": "BCP 47"}
  }
})"},
    {"lang.json", R"({
  "type": "string",
  "pattern": "^[a-z]{2,3}(-[A-Z]{2})?$"
})"},
  };
  return files;
}

inline schema::SchemaSet
form_schemas()
{
  auto loaded =
    schema::SchemaSet::from_files("form.schema.json", form_schema_files());
  REQUIRE_MESSAGE(loaded, (loaded ? "" : loaded.error().message));
  return *loaded;
}

// A valid instance of form_schemas().
inline constexpr const char* k_valid_form = R"({
  "form_version": 1,
  "incident": {
    "date": "2025-03-14",
    "date_approximate": false,
    "time": "23:40",
    "district": "harbour",
    "violence_types": ["violence.physical.beating", "violence.economic.extortion"]
  },
  "person": {"person_ref": "P-0231", "population": "transgender", "names": ["A"]},
  "narrative": {"text": "What happened.", "language": "sw"},
  "aggressor": {"vehicle": {"plate": "KAA 123"}}
})";

} // namespace custody::test
