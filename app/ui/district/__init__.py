"""The district office's window (区县项目办): intake, key register, paper tie, versions, receipts,
re-check, county dashboard and duplicates. Built on the district services (app.services.district),
called only through app.ui.jobs."""
