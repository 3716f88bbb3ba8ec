from phongdich.cli import main

main()
