from helmkit.cli.main import main

main()
