from xlcost.excel import main  # noqa: F401  (the button and "Run main" call <this module>.main())

if __name__ == "__main__":  # debugging from an editor: runs main() on the workbook named like this file
    from pathlib import Path

    import xlwings as xw

    xw.Book(Path(__file__).with_suffix(".xlsm")).set_mock_caller()
    main()
