"""The sealed submission bundle (报送包): export onto a stick, verify anywhere.

See /work/shared/spec/bundle.md. Modules: safe_names (Windows-safe paths),
minisign (signature format), records (database → bundle.json and payload
plan), bag_writer (streaming BagIt writer), export, verify, zip_reader.
"""
