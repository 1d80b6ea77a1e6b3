// placeholder so the module library has a translation unit; removed when the module lands
