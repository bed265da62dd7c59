"""The hash `dbt deps` compares with package-lock.yml's `sha1_hash` (equal: the lock is installed as it
is; different: the packages are resolved anew), computed by dbt's own code from the project's package
file so the decision is dbt's. Prints it as JSON, with the dbt-core version it was computed by."""
import importlib.metadata
import json
import sys

from dbt.config.project import package_and_project_data_from_root, package_config_from_data
from dbt.config.renderer import PackageRenderer
from dbt.task.deps import _create_sha1_hash

packages_dict, _ = package_and_project_data_from_root(sys.argv[1])
packages = package_config_from_data(PackageRenderer({}).render_data(packages_dict), packages_dict)
print(json.dumps({"hash": _create_sha1_hash(packages.packages), "dbt": importlib.metadata.version("dbt-core")}))
