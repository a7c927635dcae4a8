import CribleCLI

// Every `crible` command, with the desk's plugin added to the built-in ones.
CribleCommandLine.main(plugins: [ShoutedHeadline()])
