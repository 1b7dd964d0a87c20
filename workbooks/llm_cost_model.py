from xlcost.excel import main  # noqa: F401  (RunPython / "Run main" call llm_cost_model.main())

if __name__ == "__main__":  # debugging from an editor, with the workbook open in Excel
    import xlwings as xw

    xw.Book("llm_cost_model.xlsm").set_mock_caller()
    main()
