from showroom.cli import main

main()
