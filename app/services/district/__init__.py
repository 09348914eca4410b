"""District mode (区县项目办): take in every school's stick, trust the right keys, re-check every rule.

A district data folder is an ordinary data folder (same database schema, migrations, backups,
signing key) whose `districtoffice` table holds its one row. Modules, one concept each:

* office       — `init_district`, `folder_kind`, `office_info`, the district's folders
* register     — the key register: fingerprints typed from the paper form, public-key files
* discover     — which bundles a path holds (a bag, a zip, a stick's root with many)
* intake       — `ingest`: verify in two workers (bounded memory), classify, record
* bundle_doc   — reading bundle.json and the tag files of a verified bag, keeping a copy
* recording    — writing an accepted bundle: versions, evidence and persons, intake log
* changes      — what changed between two versions (teachers, grades, evidence, hours)
* school_db    — a bundle's records loaded into an in-memory school database
* recheck      — the district's own programme run over those records, compared with the school's
* paper        — tying a typed or scanned seal code / QR text to a bundle
* receipts     — signed receipts (回执) the schools import
* county       — the county dashboard rows; county_workbook — the A4 summary workbook
* duplicates   — the same evidence from different teachers, the same person in two schools
* publish      — the district's programme as a signed file
* queries      — lists for the window and the CLI (bundles, versions, intake log)
"""
