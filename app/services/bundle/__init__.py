"""The sealed submission bundle (报送包): export onto a stick, verify anywhere.

Contract: /work/shared/spec/bundle.md. Modules:

* export       — `export_bundle`, `preview_export` (the orchestration, one audit entry on success)
* verify       — `verify_path`, `RegisteredKey`, `format_report` (needs no data folder)
* records      — database → bundle.json and where every payload file goes
* paperwork    — workbook, bundle.json, manifest, seal, forms (plug-ins), README
* bag_writer   — streaming BagIt writer (folder or zip) with device read-back
* destination  — target checks: exists, writable, room, FAT32 limits
* zip_reader   — reading zipped bags without trusting them
* safe_names   — Windows-safe, BagIt-safe names
* minisign     — minisign key and signature format
* layout       — file names and text formats shared by writer and verifier
"""
