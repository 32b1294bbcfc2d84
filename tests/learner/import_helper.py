X = 1
print('import_helper loading', __name__)
def f(): return "helper"
