"""备份与恢复: the list of backups, backing up now, a full backup to a USB stick, restoring; and the
start-up offer of the newest good backup when the database is damaged."""
