"""What `dbt deps` decides from a project's package files before it installs anything, read with dbt's
own code so the decision is dbt's: the hash it compares with package-lock.yml's `sha1_hash` (equal: the
lock is installed as it is; different: the packages are resolved anew), and the installed dbt version
(hub releases whose require-dbt-version excludes it are passed over). Prints one JSON object."""
import json
import sys

from dbt.config.project import package_and_project_data_from_root, package_config_from_data
from dbt.config.renderer import PackageRenderer
from dbt.task.deps import _create_sha1_hash
from dbt.version import __version__

packages_dict, _ = package_and_project_data_from_root(sys.argv[1])
packages = package_config_from_data(PackageRenderer({}).render_data(packages_dict), packages_dict)
print(json.dumps({"hash": _create_sha1_hash(packages.packages), "dbt": __version__}))
