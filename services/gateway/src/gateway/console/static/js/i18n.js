// Chinese names of the platform's codes, and the API's English messages in Chinese.

// Roles and duties are named by the gateway (GET /api/v1/auth/roles, from liandong.auth): app.js `state.roleNames`.
export const LEVELS = {
  city: "市", district: "区", subdistrict: "街道", community: "社区", grid: "网格", group: "居民小组", building: "楼栋",
};
export const PETITION_STATES = {
  registered: "已受理", assigned: "已交办", in_handling: "办理中", answered: "已答复", closed: "已办结",
  escalated: "已上报", suspended: "已挂起",
};
export const CHANNELS = {
  visit: "来访", letter: "来信", mailbox: "信箱", hotline: "服务热线", online: "网上", grid_round: "网格员走访",
};
export const UNIT_KINDS = { community: "社区", subdistrict: "街道", department: "联动部门" };
export const SATISFACTION = { satisfied: "满意", basically: "基本满意", not: "不满意" };
export const HANDLING_MODES = { mediation: "调解", on_site_check: "现场核查", joint_handling: "联合办理" };
export const RISK_FLAGS = {
  group_petition: "群体性上访", repeat_petitioner: "重复信访", higher_level_threat: "扬言越级上访", overdue: "超期",
};

export const APP_STATUS = {
  submitted: "待社区审核", in_notice: "公示中", noticed: "公示中", approved: "已批准", rejected: "未批准",
  under_review: "审核中", withdrawn: "已撤回",
};
export const RELATIONS = {
  applicant: "申请人", spouse: "配偶", child: "子女", parent: "父母", sibling: "兄弟姐妹", grandchild: "孙辈",
  grandparent: "祖父母", other: "其他",
};
export const EMPLOYMENT = {
  employed: "在业", unemployed: "无业", retired: "退休", student: "在校", unable_to_work: "无劳动能力", child: "学龄前",
};
export const ACTIVITY_STATES = { draft: "草稿", published: "报名中", cancelled: "已取消", completed: "已结束", full: "已满员" };

export function label(dict, code) {
  return (code && dict[code]) || code || "";
}

// marshmallow's and the services' English messages, most specific first.
const MESSAGES = [
  [/^Missing data for required field\.?$/i, "必填"],
  [/^required( \(五明确\))?$/i, "必填"],
  [/^Field may not be null\.?$/i, "必填"],
  [/^Not a valid string\.?$/i, "应为文本"],
  [/^Not a valid integer\.?$/i, "应为整数"],
  [/^Not a valid boolean\.?$/i, "应为是或否"],
  [/^Not a valid date\.?$/i, "日期格式应为 年-月-日"],
  [/^Not a valid number\.?$/i, "应为数字"],
  [/^Unknown field\.?$/i, "不认识的字段"],
  [/^Must be one of: (.*)\.?$/i, "应为以下之一：$1"],
  [/^Length must be between (\d+) and (\d+)\.?$/i, "长度应在 $1 到 $2 之间"],
  [/^Shorter than minimum length (\d+)\.?$/i, "至少 $1 个字"],
  [/^Longer than maximum length (\d+)\.?$/i, "最多 $1 个字"],
  [/^Must be greater than or equal to (\S+) and less than or equal to (\S+)\.?$/i, "应在 $1 到 $2 之间"],
  [/^Must be greater than or equal to (\S+)\.?$/i, "不能小于 $1"],
  [/^an ID number has 17 digits and a final digit or X$/i, "身份证号应为17位数字加一位数字或X"],
  [/^the date of birth in the ID number does not exist$/i, "身份证号中的出生日期不存在"],
  [/^the date of birth in the ID number is out of range$/i, "身份证号中的出生日期超出范围"],
  [/^the check digit of the ID number is wrong$/i, "身份证号校验位错误"],
  [/^a mobile number has 11 digits and starts with 1$/i, "手机号应为以1开头的11位数字"],
  [/^not an org unit id$/i, "不是有效的组织编号"],
  [/^must not be before from$/i, "不能早于开始日期"],
  [/^wrong username or password$/i, "用户名或密码错误"],
  [/^too many failed logins.*$/i, "密码错误次数过多，账号已暂时锁定，请15分钟后再试"],
  [/^too many requests.*$/i, "请求过于频繁，请稍后再试"],
  [/^a bearer token is required$/i, "请先登录"],
  [/^the token has (been revoked|expired)$/i, "登录已失效，请重新登录"],
  [/^the request has invalid fields$/i, "表单中有需要修改的内容"],
  [/^network error$/i, "网络连接失败，请检查网络后重试"],
  [/^exactly one member is the applicant.*$/i, "家庭成员中须有且只有一位申请人"],
  [/^a person is listed twice$/i, "同一人被重复登记"],
  [/^square metres, e\.g\. 45\.5$/i, "面积（平方米），如 45.5"],
  [/^the notice period runs until (.*)$/i, "公示期至 $1 结束，公示期满后才能审批"],
  [/^(\S+) is not granted.*$/i, "没有该操作的权限"],
  [/^.*service.*unavailable.*$/i, "服务暂时不可用，请稍后再试"],
  [/^a dependency is unavailable.*$/i, "服务暂时不可用，请稍后再试"],
  [/^a date as YYYY-MM-DD$/i, "日期格式应为 年-月-日"],
  [/^a year such as 2026$/i, "请输入年份，如 2026"],
  [/^the deadline .* (past|before).*$/i, "期限不能早于今天"],
  [/^must not be in the past$/i, "不能早于今天"],
  [/^unknown category.*$/i, "未知的类别"],
  [/^the content of the petition is required$/i, "请填写信访内容"],
  [/^only letters and mailbox notes may be anonymous$/i, "只有来信和信箱件可以匿名"],
  [/^an anonymous petition names no petitioner$/i, "匿名件不登记信访人"],
  [/^at least one petitioner is required.*$/i, "至少登记一位信访人（匿名来信除外）"],
  [/^the headcount cannot be less than the (\d+) named petitioners$/i, "人数不能少于已登记的 $1 位信访人"],
  [/^cannot (\w+) .* that is (\w+).*$/i, "当前状态下不能执行该操作"],
  [/^the petition cannot be registered$/i, "信访件无法登记，请修改标红的内容"],
  [/^no org unit.*$/i, "没有该组织单位"],
  [/^the assignment must name.*$/i, "交办须明确单位、责任人、期限、任务和要求"],
  [/^the deadline cannot be in the past$/i, "期限不能早于今天"],
  [/^the request has invalid fields$/i, "表单中有需要修改的内容"],
  [/^one of (.*)$/i, "应为以下之一：$1"],
  // 设置与账号 (#22): the own password, the district's settings
  [/^the current password is wrong$/i, "当前密码不正确"],
  [/^at least (\d+) characters$/i, "至少 $1 个字符"],
  [/^give working days for (.*)$/i, "请填写各级办理时限（工作日）：$1"],
  [/^lower-case letters, digits and.*$/i, "只能用小写字母、数字和下划线，以字母开头"],
  [/^'?(\S+?)'? is not a configured type$/i, "没有该服务类型：$1"],
  [/^changing the taxonomy needs .*$/i, "只有区级信访督办人员可以修改信访设置"],
];

export function zhMessage(msg) {
  if (typeof msg !== "string") return String(msg);
  if (/[\u4e00-\u9fff]/.test(msg) && !/[a-z]{4,}/i.test(msg)) return msg;
  for (const [re, zh] of MESSAGES) {
    if (re.test(msg)) return msg.replace(re, zh);
  }
  return msg;
}

export const STATUS_TEXT = {
  400: "请求有误", 401: "请先登录", 403: "没有权限", 404: "没有找到", 409: "操作与当前状态冲突",
  422: "表单中有需要修改的内容", 423: "账号已锁定", 429: "请求过于频繁", 503: "服务暂时不可用",
};
