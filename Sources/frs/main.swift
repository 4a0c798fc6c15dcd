import Commands

FRSCommand.main()
