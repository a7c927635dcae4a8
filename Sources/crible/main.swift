import CribleCLI

// The `crible` executable is the library's command line with the built-in plugins only. A package
// that adds its own plugins builds its own executable the same way, passing them here.
CribleCommandLine.main()
