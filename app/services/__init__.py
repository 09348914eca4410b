"""Every rule and operation of the app, with no Qt. The UI and the CLI both call these."""
