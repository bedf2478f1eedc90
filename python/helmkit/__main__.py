from helmkit.cli.process import run

run()
